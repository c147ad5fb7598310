from customer_segmentation.powerbi.project import main

main()
